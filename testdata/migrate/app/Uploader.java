package example;

// Test fixture: these credentials are fake.
public class Uploader {
    static final String ACCESS_KEY_ID = "AKIAOA7LQSAJ2XUID5ZZ";
    static final String AWS_SECRET_ACCESS_KEY = "ZYn9ZhyiA4uoRgnatmUdjAWtGSU8po/799NksnRH";

    public static void main(String[] args) {
        System.out.println(ACCESS_KEY_ID.length());
    }
}
