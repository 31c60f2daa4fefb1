// Service configuration
const path = require('path');

module.exports = {
  port: process.env.PORT || 3000,
  db: {
    host: process.env.DB_HOST || 'localhost',
    user: 'orders',
    password: process.env.DB_PASSWORD,
    database: 'orders',
  },
  mongo: {
    uri: 'mongodb://orders_app:Hn4%23pLx8vQ2z@mongo-0.orders.svc:27017/orders?authSource=admin',
  },
  smtp: {
    host: 'smtp.sendgrid.net',
    auth: { user: 'apikey', pass: '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' },
  },
  session: {
    secret: 'q8Zr!2vLp#7xKm4Tn9Wc',
    cookie: { maxAge: 86400000 },
  },
  stripe: {
    secretKey: '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',
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET,
  },
  uploads: path.join(__dirname, '..', 'uploads'),
};
