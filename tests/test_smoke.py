def test_fixtures_load(corpus):
    from reports.models import Topic

    assert Topic.objects.filter(kind="udhr_article").count() == 30
