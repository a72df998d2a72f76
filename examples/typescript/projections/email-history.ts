/**
 * The "emails" view, added after the system went live (the demo adds it to a running store): each
 * customer's email addresses, oldest first. On deploy it is backfilled from the events already
 * stored, so it holds the history of every customer, not only of those who change later.
 */
import type { ProjectionHandler, ProjectionHandlers } from '../../../src/authoring/projection';

interface EmailHistory {
  emails: string[];
}

const withEmail: ProjectionHandler<EmailHistory> = (view, event) => ({ emails: [...(view?.emails ?? []), String(event.data.email)] });

export const handlers: ProjectionHandlers<EmailHistory> = {
  CustomerRegistered: withEmail,
  EmailChanged: withEmail,
  CustomerForgotten: () => undefined,
};
