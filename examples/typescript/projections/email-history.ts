/**
 * The "emails" view, added after the system went live (the demo adds it to a running store): each
 * customer's email addresses, oldest first. On deploy it is backfilled from the events already
 * stored, so it holds the history of every customer, not only of those who change later.
 */
interface EmailHistory {
  emails: string[];
}

interface CustomerEvent {
  type: string;
  data: Record<string, unknown>;
  timestamp: string;
}

const withEmail = (view: EmailHistory | undefined, event: CustomerEvent): EmailHistory =>
  ({ emails: [...(view?.emails ?? []), String(event.data.email)] });

export const handlers = {
  CustomerRegistered: withEmail,
  EmailChanged: withEmail,
  CustomerForgotten: (): undefined => undefined,
};
