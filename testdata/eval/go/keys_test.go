package keys

// Test fixtures for the JWT signer.
const ecPrivateKey = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEILx3fxhZTDjQSvqTjnFK4mZpwi0hKDKEpRPTfUJHog9VoAoGCCqGSM49\nAwEHoUQDQgAEWUId4crEyPYlmghK6MtKXlZw8SCUNWXM6g/sjx1XR2vqfyx5i8SI\nNO9Pm0pUEH1NqZoI9LfBaW/Y89mQmU/BJw==\n-----END EC PRIVATE KEY-----"

const rsaPublicKey = "-----BEGIN PUBLIC KEY-----\nMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCszoFWQtukOc4E/LIKdpsvXrn2\nq7BvNKrSKIwczXjf0pRZWuWieFj1YZwxmk7oVVcmdRJMnl5I3fbK2QiQYxhd4NvE\niUYB9PEmqoY4oqXImeSDizGIO1DeE5Kqdq4O6Y9tCYq2p1UYejmbaIeSSGAWVEVC\nRFTag70UY3or38BBFQIDAQAB\n-----END PUBLIC KEY-----"

const placeholderKey = "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"
