#ifndef CONFIG_H
#define CONFIG_H

#define PASSWORD_MAX_LEN 64
#define WIFI_SSID "acme-iot"
#define WIFI_PASSWORD "W1f!Iot#Fl00r3"
#define MQTT_HOST "mqtt.acme-corp.com"
#define MQTT_PASSWORD ""
#define API_TOKEN_LEN 40

static const char *ota_password = "0ta!Upd8#Key";

#endif
