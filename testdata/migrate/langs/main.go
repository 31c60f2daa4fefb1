package main

// Test fixture: the token is fake.

import (
	"fmt"
)

var githubToken = "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"

func main() {
	fmt.Println(len(githubToken))
}
