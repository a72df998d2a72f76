/**
 * The "default" view: the current state of each customer.
 * A projection exports `handlers`: event type -> (view, event) => new view, or undefined to delete.
 * Event types without a handler leave the view as it is. Typed with the library's authoring
 * types (in an app: 'cdk-event-sourced-api/projection').
 */
import type { ProjectionHandlers } from '../../../src/authoring/projection';

interface Customer {
  name: string;
  email?: string;
  status: 'active' | 'closed';
}

export const handlers: ProjectionHandlers<Customer> = {
  CustomerRegistered: (_view, event) => ({
    name: String(event.data.name),
    email: event.data.email as string | undefined,
    status: 'active',
  }),
  EmailChanged: (view, event) => view && { ...view, email: String(event.data.email) },
  AccountClosed: (view) => view && { ...view, status: 'closed' },
  CustomerForgotten: () => undefined,
};
