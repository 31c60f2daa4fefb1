import Foundation

enum Secrets {
    static let revenueCatApiKey = "appl_Kq8vN2mZ7LpV4wR9kY6uX3tB5n"
    static let keychainService = "com.acme.shop.credentials"
    static let passwordKey = "user_password"

    static func password(for account: String) -> String? {
        KeychainWrapper.standard.string(forKey: passwordKey + account)
    }
}
