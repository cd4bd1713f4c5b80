import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { toLambdaRecord } from '../../../local/stream/stream-records';

describe('toLambdaRecord', () => {
  it("turns a GetRecords record into Lambda's: epoch seconds, base64 binaries, the stream ARN", () => {
    // Prepare
    const sdkRecord: _Record = {
      eventID: 'id-1',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      dynamodb: {
        ApproximateCreationDateTime: new Date('2026-01-02T03:04:05.678Z'),
        Keys: { pk: { S: 'a' }, sk: { S: 'b' } },
        NewImage: {
          blob: { B: Uint8Array.from([1, 2, 3]) },
          blobs: { BS: [Uint8Array.from([255])] },
          nested: { M: { list: { L: [{ N: '1' }, { NULL: true }, { BOOL: false }, { SS: ['x'] }] } } },
        },
        OldImage: { pk: { S: 'a' } },
        SequenceNumber: '000000000000000000001',
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };

    // Act
    const lambdaRecord: DynamoDBRecord = toLambdaRecord(sdkRecord, 'arn:stream');

    // Assess
    expect(lambdaRecord).toEqual({
      eventID: 'id-1',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      dynamodb: {
        ApproximateCreationDateTime: 1767323045,
        Keys: { pk: { S: 'a' }, sk: { S: 'b' } },
        NewImage: {
          blob: { B: 'AQID' },
          blobs: { BS: ['/w=='] },
          nested: { M: { list: { L: [{ N: '1' }, { NULL: true }, { BOOL: false }, { SS: ['x'] }] } } },
        },
        OldImage: { pk: { S: 'a' } },
        SequenceNumber: '000000000000000000001',
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: 'arn:stream',
    });
  });
});
