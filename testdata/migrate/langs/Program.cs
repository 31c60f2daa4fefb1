// Test fixture: the token is fake.
var token = "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";
System.Console.WriteLine(token.Length);
