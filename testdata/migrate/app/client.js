// Upload client (test fixture: these credentials are fake).
const config = {
  region: "us-east-1",
  accessKeyId: "AKIAH2KVJ72CEUVW75EF",
  secretAccessKey: "I8ihN5KXSc7Tvo+hBKqFYY+kv5ZJr3J1TWDtkwtD",
};

module.exports = config;
