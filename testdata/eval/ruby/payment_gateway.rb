# frozen_string_literal: true

class PaymentGateway
  API_BASE = "https://api.payments.example.net/v2"
  MERCHANT_ID = "acme-shop-eu"
  API_SECRET = "e5af7d7610ac7a8f13022c9db650e05f"

  def initialize(api_key: ENV["GATEWAY_API_KEY"], password: ENV.fetch("GATEWAY_PASSWORD"))
    @api_key = api_key
    @password = password
  end

  def client
    Faraday.new(url: API_BASE) do |f|
      f.request :authorization, :basic, MERCHANT_ID, ENV.fetch("GATEWAY_BASIC_PASSWORD")
    end
  end

  def legacy_credentials
    { :username => "acme", :password => "L3g@cy!Pay#55" }
  end

  def valid_password?(password)
    password.present? && password.length >= 12
  end
end
