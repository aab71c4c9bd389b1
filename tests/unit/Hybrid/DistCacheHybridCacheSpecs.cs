using System.Buffers;
using System.Text;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Hybrid;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Unit.Support;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace DistCacheAkka.Tests.Unit.Hybrid;

// The HybridCache over a dictionary client (no near cache, so every read is an L2 read): GetOrCreateAsync stores what
// its factory made and runs it once per key for concurrent callers; Expiration becomes the entry's TTL; tags and "*"
// make older entries read as missing; the flags; key and tag validation; which serializer each type gets.
public class DistCacheHybridCacheSpecs
{
    private readonly InMemoryDistCacheClient _client = new();
    private readonly ManualTimeProvider _time = new();

    private DistCacheHybridCache Cache(Action<IServiceCollection>? register = null, DistCacheHybridCacheOptions? options = null)
    {
        var services = new ServiceCollection();
        register?.Invoke(services);
        return new DistCacheHybridCache(_client, options ?? new DistCacheHybridCacheOptions(),
            new HybridSerializers(services.BuildServiceProvider()), _time);
    }

    private static ValueTask<string> Make(string value, ref int runs)
    {
        runs++;
        return ValueTask.FromResult(value);
    }

    [Fact]
    public async Task Should_store_the_factorys_value_and_serve_it_without_running_the_factory_again()
    {
        var cache = Cache();
        var runs = 0;

        var first = await cache.GetOrCreateAsync("user:1", _ => Make("ada", ref runs));
        var second = await cache.GetOrCreateAsync("user:1", _ => Make("other", ref runs));

        Assert.Equal("ada", first);
        Assert.Equal("ada", second);
        Assert.Equal(1, runs);
        var (stored, expiry) = _client.Entries["user:1"];
        Assert.Equal(CacheExpiry.After(TimeSpan.FromMinutes(5)), expiry);
        Assert.Equal("ada", Encoding.UTF8.GetString(stored[HybridEntry.TryRead(stored)!.PayloadOffset..])); // strings are raw UTF-8
    }

    [Fact]
    public async Task Should_run_the_factory_once_for_concurrent_callers()
    {
        var cache = Cache();
        var runs = 0;
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var callers = Enumerable.Range(0, 16)
            .Select(_ => cache.GetOrCreateAsync("hot", async ct => { Interlocked.Increment(ref runs); return await release.Task.WaitAsync(ct); }).AsTask())
            .ToArray();

        release.SetResult(99);
        var values = await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, runs);
        Assert.All(values, v => Assert.Equal(99, v));
        Assert.Equal(0, cache.FlightsInProgress);
    }

    [Fact]
    public async Task Should_map_expiration_to_the_entrys_ttl_and_set_values_others_read()
    {
        var cache = Cache();
        var runs = 0;

        await cache.SetAsync("k", new Book("Dune", 1965), new HybridCacheEntryOptions { Expiration = TimeSpan.FromSeconds(30) });
        var read = await cache.GetOrCreateAsync("k", _ => { runs++; return ValueTask.FromResult(new Book("x", 0)); });

        Assert.Equal(new Book("Dune", 1965), read);
        Assert.Equal(0, runs);
        Assert.Equal(CacheExpiry.After(TimeSpan.FromSeconds(30)), _client.Entries["k"].Expiry);
    }

    [Fact]
    public async Task Should_read_an_entry_as_missing_once_one_of_its_tags_or_everything_was_removed()
    {
        var cache = Cache();
        var runs = 0;
        await cache.SetAsync("a", "a1", tags: ["books", "eu"]);
        await cache.SetAsync("b", "b1", tags: ["films"]);
        _time.Advance(TimeSpan.FromSeconds(1));

        await cache.RemoveByTagAsync("eu");
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("a2", await cache.GetOrCreateAsync("a", _ => Make("a2", ref runs), tags: ["books", "eu"]));
        Assert.Equal("b1", await cache.GetOrCreateAsync("b", _ => Make("b2", ref runs)));
        Assert.Equal(1, runs);

        // The entry recreated above is newer than the removal: it stays.
        Assert.Equal("a2", await cache.GetOrCreateAsync("a", _ => Make("a3", ref runs)));
        await cache.RemoveByTagAsync("*");
        Assert.Equal("a4", await cache.GetOrCreateAsync("a", _ => Make("a4", ref runs)));
        Assert.Equal("b4", await cache.GetOrCreateAsync("b", _ => Make("b4", ref runs)));
        Assert.Equal(3, runs);
        Assert.True(_client.Entries.ContainsKey("__hc:tag:eu"));
        Assert.True(_client.Entries.ContainsKey("__hc:all"));
        Assert.Equal(CacheExpiry.Never, _client.Entries["__hc:all"].Expiry);
    }

    [Fact]
    public async Task Should_treat_a_tag_removed_while_the_factory_ran_as_removing_its_value()
    {
        var cache = Cache();
        var runs = 0;

        var made = await cache.GetOrCreateAsync("k", async _ =>
        {
            runs++;
            await cache.RemoveByTagAsync("t"); // same clock tick as the factory's start
            return "made during removal";
        }, tags: ["t"]);

        Assert.Equal("made during removal", made);
        Assert.Equal("again", await cache.GetOrCreateAsync("k", _ => Make("again", ref runs), tags: ["t"]));
    }

    [Fact]
    public async Task Should_remove_a_key()
    {
        var cache = Cache();
        var runs = 0;
        await cache.SetAsync("k", "v1");

        await cache.RemoveAsync("k");

        Assert.False(_client.Entries.ContainsKey("k"));
        Assert.Equal("v2", await cache.GetOrCreateAsync("k", _ => Make("v2", ref runs)));
    }

    [Fact]
    public async Task Should_honour_the_flags()
    {
        var cache = Cache();
        var runs = 0;

        var none = await cache.GetOrCreateAsync("absent", _ => Make("x", ref runs),
            new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableUnderlyingData });
        var unstored = await cache.GetOrCreateAsync("local-only", _ => Make("y", ref runs),
            new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableDistributedCacheWrite });
        await cache.SetAsync("set-local-only", "z", new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableDistributedCache });
        await cache.SetAsync("stored", "s");
        var notRead = await cache.GetOrCreateAsync("stored", _ => Make("fresh", ref runs),
            new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableDistributedCacheRead | HybridCacheEntryFlags.DisableDistributedCacheWrite });

        Assert.Null(none);
        Assert.Equal("y", unstored);
        Assert.Equal("fresh", notRead); // no near cache here, and L2 reads are off
        Assert.Equal(2, runs);
        Assert.Equal(["stored"], _client.Entries.Keys);
    }

    [Fact]
    public async Task Should_refuse_bad_keys_and_tags_naming_the_rule()
    {
        var cache = Cache(options: new DistCacheHybridCacheOptions { MaximumKeyLength = 8 });

        var empty = await Assert.ThrowsAsync<ArgumentException>(() => cache.SetAsync("", "v").AsTask());
        var longKey = await Assert.ThrowsAsync<ArgumentException>(() => cache.GetOrCreateAsync("123456789", _ => ValueTask.FromResult(1)).AsTask());
        var reserved = await Assert.ThrowsAsync<ArgumentException>(() => cache.RemoveAsync("__hc:all").AsTask());
        var wildcard = await Assert.ThrowsAsync<ArgumentException>(() => cache.SetAsync("k", "v", tags: ["*"]).AsTask());
        var emptyTag = await Assert.ThrowsAsync<ArgumentException>(() => cache.RemoveByTagAsync("").AsTask());

        Assert.Contains("null or empty", empty.Message);
        Assert.Contains("MaximumKeyLength is 8", longKey.Message);
        Assert.Contains("reserved", reserved.Message);
        Assert.Contains("reserved for RemoveByTagAsync", wildcard.Message);
        var tooManyBytes = await Assert.ThrowsAsync<ArgumentException>(() => Cache().SetAsync(new string('é', 600), "v").AsTask());
        Assert.Contains("distcache.limits.max-key-bytes", tooManyBytes.Message);
        Assert.Contains("null or empty", emptyTag.Message);
        Assert.Empty(_client.Entries);
    }

    [Fact]
    public async Task Should_refuse_to_set_a_value_over_the_payload_limit_and_not_store_a_created_one()
    {
        var cache = Cache(options: new DistCacheHybridCacheOptions { MaximumPayloadBytes = 4 });

        var error = await Assert.ThrowsAsync<ArgumentException>(() => cache.SetAsync("k", "too long").AsTask());
        var created = await cache.GetOrCreateAsync("big", _ => ValueTask.FromResult("also too long"));

        Assert.Contains("MaximumPayloadBytes is 4", error.Message);
        Assert.Equal("also too long", created);
        Assert.Empty(_client.Entries);
    }

    [Fact]
    public async Task Should_use_a_registered_serializer_then_the_last_factory_then_the_defaults()
    {
        var cache = Cache(services =>
        {
            services.AddSingleton<IHybridCacheSerializerFactory>(new PrefixFactory("first:"));
            services.AddSingleton<IHybridCacheSerializerFactory>(new PrefixFactory("last:"));
            services.AddSingleton<IHybridCacheSerializer<Book>>(new PrefixSerializer<Book>("book:"));
        });

        await cache.SetAsync("book", new Book("Dune", 1965));
        await cache.SetAsync("int", 5);
        await cache.SetAsync("bytes", new byte[] { 1, 2 });

        Assert.StartsWith("book:", Payload("book"));
        Assert.StartsWith("last:", Payload("int"));
        Assert.Equal([1, 2], PayloadBytes("bytes")); // the factories decline byte[]: the default keeps it raw
        Assert.Equal(5, await cache.GetOrCreateAsync("int", _ => ValueTask.FromResult(0)));
    }

    [Fact]
    public async Task Should_serialize_other_types_as_json_by_default()
    {
        var cache = Cache();

        await cache.SetAsync("book", new Book("Dune", 1965));

        Assert.Equal("""{"Title":"Dune","Year":1965}""", Payload("book"));
    }

    private byte[] PayloadBytes(string key)
    {
        var stored = _client.Entries[key].Value;
        return stored[HybridEntry.TryRead(stored)!.PayloadOffset..];
    }

    private string Payload(string key) => Encoding.UTF8.GetString(PayloadBytes(key));

    public sealed record Book(string Title, int Year);

    private sealed class PrefixFactory(string prefix) : IHybridCacheSerializerFactory
    {
        public bool TryCreateSerializer<T>([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IHybridCacheSerializer<T>? serializer)
        {
            serializer = typeof(T) == typeof(byte[]) ? null : new PrefixSerializer<T>(prefix);
            return serializer is not null;
        }
    }

    /// <summary>The prefix, then the value as JSON.</summary>
    private sealed class PrefixSerializer<T>(string prefix) : IHybridCacheSerializer<T>
    {
        public T Deserialize(ReadOnlySequence<byte> source) =>
            System.Text.Json.JsonSerializer.Deserialize<T>(Encoding.UTF8.GetString(source)[prefix.Length..])!;

        public void Serialize(T value, IBufferWriter<byte> target) =>
            target.Write(Encoding.UTF8.GetBytes(prefix + System.Text.Json.JsonSerializer.Serialize(value)));
    }
}
