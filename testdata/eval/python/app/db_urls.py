from sqlalchemy import create_engine

REPORTING = create_engine("mssql+pyodbc://report:W4kZSR1klg2OAF@mssql.internal/reports?driver=ODBC+Driver+18+for+SQL+Server")
ANALYTICS = create_engine("postgresql+psycopg2://analytics:YnqlYnbh2m4sPf@pg.internal/analytics")
LOCAL = create_engine("postgresql+psycopg2://app:${DB_PASSWORD}@localhost/app")
