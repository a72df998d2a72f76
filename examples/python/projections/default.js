// The "default" view: the current state of each customer (JavaScript works as well as TypeScript).
exports.handlers = {
  CustomerRegistered: (_view, event) => ({ name: String(event.data.name), email: event.data.email, status: 'active' }),
  EmailChanged: (view, event) => view && { ...view, email: String(event.data.email) },
  AccountClosed: (view) => view && { ...view, status: 'closed' },
  CustomerForgotten: () => undefined,
};
