"""Messages the storefront shows that are written elsewhere (the shop services' DomainError texts and
Django's password checks). Listing them here puts them in the storefront's zh-Hans catalogue, so a
shopper never meets an English sentence on a Chinese page. Nothing imports this module."""

from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = (
    # accounts.services
    gettext_noop("Enter a phone number or an email address."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a valid phone number or email address."),
    gettext_noop("The phone number or email address is too long."),
    gettext_noop("An account with this phone number or email already exists."),
    gettext_noop("Choose a password."),
    gettext_noop("The password is too long (128 characters at most)."),
    gettext_noop("The name is too long (100 characters at most)."),
    gettext_noop("This field is required."),
    gettext_noop("Too long (%(limit)s characters at most)."),
    gettext_noop("Enter a valid phone number."),
    gettext_noop("You can save at most %(n)s addresses."),
    gettext_noop("Address not found."),
    gettext_noop("This account is disabled."),
    # catalog and orders services
    gettext_noop("SKU not found."),
    gettext_noop("This product is not on sale."),
    gettext_noop("Choose a product variant."),
    gettext_noop("Quantity must be at least 1."),
    gettext_noop("Quantity must be a whole number from %(low)s to %(high)s."),
    gettext_noop("At most %(n)s of one item per order."),
    gettext_noop("Only %(n)s left in stock."),
    gettext_noop("Only %(n)s left of %(name)s."),
    gettext_noop("%(name)s is no longer on sale."),
    gettext_noop("At most %(n)s different items per order."),
    gettext_noop("Add a shipping address first."),
    gettext_noop("The note is too long (500 characters at most)."),
    gettext_noop("This order is not awaiting payment."),
    gettext_noop("The time to pay this order is over."),
    gettext_noop("The payment has not gone through yet."),
    gettext_noop("An order that is %(current)s cannot become %(target)s."),
    gettext_noop("Pending payment"),
    # django.contrib.auth password validators (Django 5.2's wording has no Chinese text yet)
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        8,
    ),
    gettext_noop("This password is too common."),
    gettext_noop("This password is entirely numeric."),
)
