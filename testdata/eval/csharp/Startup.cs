using System;
using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Configuration;

namespace Acme.Payments
{
    public class Startup
    {
        private const string ConnectionString =
            "Server=tcp:acme-pay.database.windows.net,1433;Initial Catalog=payments;User ID=payapp;Password=Cs7#qLm2!vXp9Tz;Encrypt=True;";
        private const string PasswordRegex = @"^(?=.*[A-Z])(?=.*\d).{12,}$";
        private static readonly string ApiKey = "ecc1db9bedfdaf2f8939c665c3c5da27";

        public IConfiguration Configuration { get; }

        public Startup(IConfiguration configuration)
        {
            Configuration = configuration;
        }

        public SmtpClient CreateSmtp()
        {
            var password = Configuration["Smtp:Password"];
            var client = new SmtpClient("smtp.office365.com", 587)
            {
                Credentials = new NetworkCredential("payments@acme-corp.com", "Sm7p#Pay!2024xQ"),
                EnableSsl = true,
            };
            return client;
        }

        public string Vault() => Environment.GetEnvironmentVariable("VAULT_TOKEN");

        public bool Check(string password) => password == Configuration["Admin:Password"];
    }
}
