import Config

config :shop, Shop.Repo,
  username: "shop",
  password: "2mwksZ.No8P9oiH",
  hostname: "db.internal",
  pool_size: 10

config :shop, ShopWeb.Endpoint,
  secret_key_base: System.get_env("SECRET_KEY_BASE")

config :joken, default_signer: System.fetch_env!("JOKEN_SIGNER")
