// The "summary" view: order count and lifetime spend per customer.
exports.handlers = {
  CustomerRegistered: () => ({ orders: 0, totalCents: 0 }),
  OrderPlaced: (view, event) => {
    const amount = event.data.amountCents;
    if (!Number.isInteger(amount) || amount < 0) throw new Error(`OrderPlaced needs a whole, non-negative amountCents, got ${JSON.stringify(amount)}`);
    const current = view || { orders: 0, totalCents: 0 };
    return { orders: current.orders + 1, totalCents: current.totalCents + amount, lastOrderAt: event.timestamp };
  },
  CustomerForgotten: () => undefined,
};
