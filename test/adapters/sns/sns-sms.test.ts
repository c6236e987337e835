import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { SnsSms } from '../../../functions/adapters/sns/sns-sms';

function fakeClient(response: object = { MessageId: 'sns-1' }) {
  const commands: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      commands.push(command);
      return response;
    },
  } as unknown as SNSClient;
  return { client, commands };
}

describe('SnsSms', () => {
  it('publishes to the phone number as a transactional SMS', async () => {
    const { client, commands } = fakeClient();
    const result = await new SnsSms(client).send({ to: '+4915112345678', text: 'Your code is 123456' });
    expect(result).toEqual({ messageId: 'sns-1' });
    expect(commands).toHaveLength(1);
    expect(commands[0]).toBeInstanceOf(PublishCommand);
    expect((commands[0] as PublishCommand).input).toEqual({
      PhoneNumber: '+4915112345678',
      Message: 'Your code is 123456',
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
      },
    });
  });

  it('refuses numbers that are not E.164 without calling SNS', async () => {
    const { client, commands } = fakeClient();
    for (const to of ['015112345678', '+0123456789', '+49 151 1234', 'arn:aws:sns:topic']) {
      await expect(new SnsSms(client).send({ to, text: 'x' })).rejects.toThrow(/E\.164/);
    }
    expect(commands).toHaveLength(0);
  });

  it('fails when SNS returns no message id', async () => {
    const { client } = fakeClient({});
    await expect(new SnsSms(client).send({ to: '+15555550123', text: 'x' })).rejects.toThrow(/no message id/);
  });

  it('passes SNS errors on', async () => {
    const client = {
      send: async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' });
      },
    } as unknown as SNSClient;
    await expect(new SnsSms(client).send({ to: '+15555550123', text: 'x' })).rejects.toMatchObject({
      name: 'ThrottledException',
    });
  });
});
