import unittest
from unittest import mock

from app.auth import check_password, hash_password

TEST_PASSWORD = "test-password"
HASHED = "$2b$12$KIXQJ5bNn1Ze2V1eSnBZeO1dS4eK6r4O0k6kq5X6n8dbd8m2XyR4y"


class AuthTest(unittest.TestCase):
    def test_hash(self):
        self.assertTrue(check_password(TEST_PASSWORD, hash_password(TEST_PASSWORD)))

    def test_form_field(self):
        field = mock.Mock()
        field.name = "password"
        self.assertEqual("password", field.name)

    @mock.patch.dict("os.environ", {"API_TOKEN": "dummy-token-for-tests"})
    def test_token(self):
        pass

    def test_uuid(self):
        request_id = "3f2a6c1e-8b4d-4e7a-9c3b-2d1f0e9a8b7c"
        self.assertEqual(len(request_id), 36)
