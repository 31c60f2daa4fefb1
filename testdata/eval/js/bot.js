const TelegramBot = require("node-telegram-bot-api");

const BOT = "2004277304:AA2Pfz1zCRRjaNqOFnEfQeU6D8P3nLSusRp";
const bot = new TelegramBot(BOT, { polling: true });
