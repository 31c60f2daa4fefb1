import os

import pytest

from app.storage import upload

TEST_ENCRYPTION_KEY1 = os.urandom(32)
TEST_DATA_BASE64 = "aGVsbG8gd29ybGQ="


@pytest.fixture
def client(mocker):
    return mocker.Mock()


def test_upload_encrypted(client):
    upload(client, "a.txt",
           encryption_key=TEST_ENCRYPTION_KEY1)
    client.put.assert_called_once()


def test_oauth_dance(client):
    """The provider answers like this:

        {
            'oauth_token': 'sdf0o9823sjdfsdf',
            'oauth_token_secret': '2kjshdfp92i34asdasd',
        }
    """
    token = TEST_DATA_BASE64
    assert token
