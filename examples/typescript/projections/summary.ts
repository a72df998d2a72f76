/**
 * The "summary" view: order count and lifetime spend per customer.
 */
interface Summary {
  orders: number;
  totalCents: number;
  lastOrderAt?: string;
  [key: string]: unknown;
}

interface OrderEvent {
  data: Record<string, unknown>;
  timestamp: string;
}

export const handlers = {
  CustomerRegistered: (): Summary => ({ orders: 0, totalCents: 0 }),
  OrderPlaced: (view: Summary | undefined, event: OrderEvent): Summary => {
    const amount = event.data.amountCents;
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 0) {
      // Throwing parks the event in this view's dead-letter queue; other views go on.
      throw new Error(`OrderPlaced needs a whole, non-negative amountCents, got ${JSON.stringify(amount)}`);
    }
    const current = view ?? { orders: 0, totalCents: 0 };
    return { orders: current.orders + 1, totalCents: current.totalCents + amount, lastOrderAt: event.timestamp };
  },
  CustomerForgotten: (): undefined => undefined,
};
