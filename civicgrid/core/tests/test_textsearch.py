from civicgrid.core.textsearch import fts5_query, index_terms, query_terms


def test_bigrams_catch_words_the_segmenter_splits():
    idx = set(index_terms("小区路灯不亮,楼道堆物堵塞消防通道").split())
    for q in ("路灯", "消防通道", "楼道", "堆物"):
        assert set(query_terms(q)) <= idx, q
    assert not set(query_terms("垃圾")) <= idx


def test_latin_and_numbers_are_whole_lowercase_words():
    assert set(query_terms("3栋 WiFi")) == {"栋", "3", "wifi"}


def test_fts5_query_quotes_terms():
    assert fts5_query(["路灯", 'a"b']) == '"路灯" AND "ab"'
