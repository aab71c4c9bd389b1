using System.Buffers;
using DistCacheAkka.ClientProxy.Hybrid;

namespace DistCacheAkka.Tests.Unit.Hybrid;

// The stored form of a HybridCache entry and of a tag marker: headers round-trip (tags in order, any Unicode), and
// anything that is not an entry of a known version reads as missing instead of throwing; the staleness rule of tags.
public class HybridEntrySpecs
{
    private static byte[] Entry(long created, string[] tags, byte[] payload)
    {
        var writer = new ArrayBufferWriter<byte>();
        HybridEntry.WriteHeader(writer, created, tags);
        writer.Write(payload);
        return writer.WrittenSpan.ToArray();
    }

    [Fact]
    public void Should_round_trip_the_header_and_find_the_payload()
    {
        var stored = Entry(638_000_000_000_000_123, ["region:eu", "Ünïcødé", "🙂"], [7, 8, 9]);

        var header = HybridEntry.TryRead(stored);

        Assert.NotNull(header);
        Assert.Equal(638_000_000_000_000_123, header.CreatedTicks);
        Assert.Equal(["region:eu", "Ünïcødé", "🙂"], header.Tags);
        Assert.Equal([7, 8, 9], stored[header.PayloadOffset..]);
    }

    [Fact]
    public void Should_read_an_entry_without_tags_or_payload()
    {
        var header = HybridEntry.TryRead(Entry(42, [], []));

        Assert.NotNull(header);
        Assert.Empty(header.Tags);
        Assert.Equal(12, header.PayloadOffset);
    }

    [Fact]
    public void Should_treat_foreign_truncated_or_newer_values_as_missing()
    {
        var good = Entry(1, ["a-tag"], [1]);
        var newer = (byte[])good.Clone();
        newer[1] = 2;

        Assert.Null(HybridEntry.TryRead("plain text"u8));
        Assert.Null(HybridEntry.TryRead([]));
        Assert.Null(HybridEntry.TryRead(good.AsSpan(0, 11)));
        Assert.Null(HybridEntry.TryRead(good.AsSpan(0, 15))); // cut inside the tag
        Assert.Null(HybridEntry.TryRead(newer));
    }

    [Fact]
    public void Should_refuse_a_tag_too_long_to_encode()
    {
        var error = Assert.Throws<ArgumentException>(() => Entry(1, [new string('x', 70_000)], []));

        Assert.Contains("too long", error.Message);
    }

    [Fact]
    public void Should_key_markers_by_tag_and_reserve_the_wildcard()
    {
        Assert.Equal("__hc:tag:books", TagMarkers.KeyOf("books"));
        Assert.Equal("__hc:all", TagMarkers.KeyOf("*"));
        Assert.Equal(123456789L, TagMarkers.Decode(TagMarkers.Encode(123456789L)));
        Assert.Equal(0, TagMarkers.Decode(null));
        Assert.Equal(0, TagMarkers.Decode([1, 2, 3]));
        Assert.Contains("reserved", TagMarkers.TagProblem("*"));
        Assert.NotNull(TagMarkers.TagProblem(""));
        Assert.Null(TagMarkers.TagProblem("books"));
    }

    [Theory]
    [InlineData(100, new long[] { 0, 0 }, false)] // never removed
    [InlineData(100, new long[] { 99 }, false)] // removed before the entry was created
    [InlineData(100, new long[] { 100 }, true)] // same tick: stale (a removal never loses)
    [InlineData(100, new long[] { 0, 50, 101 }, true)] // one tag suffices
    public void Should_treat_an_entry_as_stale_when_a_marker_is_at_or_after_its_creation(long created, long[] removals, bool stale) =>
        Assert.Equal(stale, TagMarkers.IsStale(created, removals));
}
