from resilia.site.menu import items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_menu": []}
    return {
        "nav_items": items_for(user, request.path),
        "user_menu": items_for(user, request.path, menu="user"),
    }
