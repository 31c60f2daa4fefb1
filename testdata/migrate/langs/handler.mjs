// Lambda handler (test fixture: the token is fake).
const TOKEN = "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";

export const handler = async () => ({ statusCode: 200, body: String(TOKEN.length) });
