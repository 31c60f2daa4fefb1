// GitHub client (test fixture: the credentials are fake).
const config = {
  token: "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",
  password: "bwIZJjvLGxo5gOyTCn",
};

module.exports = config;
