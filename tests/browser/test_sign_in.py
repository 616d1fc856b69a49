from playwright.sync_api import expect


def test_a_member_signs_in_and_lands_on_my_week(world, signed_in, live_server):
    page = signed_in("member@acme.test")
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
    expect(page.get_by_role("heading", name="My week")).to_be_visible()


def test_a_wrong_password_shows_a_message_and_stays_signed_out(world, signed_in, live_server):
    page = signed_in("member@acme.test", "not the password")
    expect(page.get_by_role("alert")).to_contain_text("email address or the password is not right")
    page.goto(f"{live_server.url}/o/acme/")
    assert "/accounts/login/" in page.url
