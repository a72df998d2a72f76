/**
 * The "default" view: the current state of each customer.
 * A projection exports `handlers`: event type -> (view, event) => new view, or undefined to delete.
 * Event types without a handler leave the view as it is.
 */
interface Customer {
  name: string;
  email?: string;
  status: 'active' | 'closed';
  [key: string]: unknown;
}

interface CustomerEvent {
  type: string;
  data: Record<string, unknown>;
  timestamp: string;
}

export const handlers = {
  CustomerRegistered: (_view: Customer | undefined, event: CustomerEvent): Customer => ({
    name: String(event.data.name),
    email: event.data.email as string | undefined,
    status: 'active',
  }),
  EmailChanged: (view: Customer | undefined, event: CustomerEvent): Customer | undefined =>
    view && { ...view, email: String(event.data.email) },
  AccountClosed: (view: Customer | undefined): Customer | undefined => view && { ...view, status: 'closed' },
  CustomerForgotten: (): undefined => undefined,
};
