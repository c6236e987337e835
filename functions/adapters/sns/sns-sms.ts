import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { SmsSender } from '../../core/ports';

/** SMS through SNS direct publish to a phone number (E.164). */
export class SnsSms implements SmsSender {
  constructor(private readonly client: SNSClient) {}

  async send(message: { to: string; text: string }): Promise<{ messageId: string }> {
    if (!/^\+[1-9]\d{6,14}$/.test(message.to)) {
      throw new Error(
        `SMS recipient must be an E.164 phone number such as +15555550123, got "${message.to}"`,
      );
    }
    const res = await this.client.send(
      new PublishCommand({
        PhoneNumber: message.to,
        Message: message.text,
        MessageAttributes: {
          // Codes must arrive now: Transactional is routed for reliability rather than cost.
          'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        },
      }),
    );
    if (!res.MessageId) throw new Error('SNS accepted the SMS but returned no message id');
    return { messageId: res.MessageId };
  }
}
