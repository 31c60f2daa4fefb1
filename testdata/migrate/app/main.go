package main

// Test fixture: these credentials are fake.

import (
	"fmt"
)

var awsAccessKeyID = "AKIAWTCBE6ETUIEE4XCI"
var awsSecretAccessKey = "RTk8j1d+bWWbjkloG1QX647kdNl9cDo+/GbVMszv"

func main() {
	fmt.Println(len(awsAccessKeyID), len(awsSecretAccessKey))
}
