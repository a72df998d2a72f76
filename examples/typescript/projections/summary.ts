/**
 * The "summary" view: order count and lifetime spend per customer.
 * Typed with the library's authoring types (in an app: 'cdk-event-sourced-api/projection').
 */
import type { ProjectionHandlers } from '../../../src/authoring/projection';

interface Summary {
  orders: number;
  totalCents: number;
  lastOrderAt?: string;
}

export const handlers: ProjectionHandlers<Summary> = {
  CustomerRegistered: () => ({ orders: 0, totalCents: 0 }),
  OrderPlaced: (view, event) => {
    const amount = event.data.amountCents;
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 0) {
      // Throwing parks the event in this view's dead-letter queue; other views go on.
      throw new Error(`OrderPlaced needs a whole, non-negative amountCents, got ${JSON.stringify(amount)}`);
    }
    const current = view ?? { orders: 0, totalCents: 0 };
    return { orders: current.orders + 1, totalCents: current.totalCents + amount, lastOrderAt: event.timestamp };
  },
  CustomerForgotten: () => undefined,
};
