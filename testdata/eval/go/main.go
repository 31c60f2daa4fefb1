package main

import (
	"database/sql"
	"fmt"
	"log"
	"net/http"
	"os"

	_ "github.com/lib/pq"
)

const (
	defaultPort   = "8080"
	slackBotToken = "xoxb-81626852985-8957474712001-Ds25sPddTeyLygderbTZBW4n"
	gitSHA        = "9fceb02d0ae598e95dc970b74767f19372d61af8"
)

var jwtSigningKey = []byte("YaHRlmLTWyGowvGW0xMr4d4Pq")

type Config struct {
	DBPassword string `json:"db_password" env:"DB_PASSWORD"`
	APIToken   string `json:"api_token"`
}

func main() {
	password := os.Getenv("DB_PASSWORD")
	if password == "" {
		log.Fatal("DB_PASSWORD is not set")
	}
	dsn := fmt.Sprintf("host=db user=app password=%s dbname=app sslmode=require", password)
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	adminPassword := "G0lang!Adm1n#77"
	_ = adminPassword
	reportDSN := "postgres://reporter:Rp7%21xQ2mK9z@reports.internal:5432/reports?sslmode=require"
	_ = reportDSN

	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "0f8fad5b-d9cb-469f-a165-70867728950e")
		fmt.Fprintln(w, "ok")
	})
	log.Fatal(http.ListenAndServe(":"+defaultPort, nil))
}
