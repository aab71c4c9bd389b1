using Akka.Hosting;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Actors;
using DistCacheAkka.ClientProxy.Hosting;
using DistCacheAkka.Messages;
using Microsoft.Extensions.DependencyInjection;

namespace DistCacheAkka.Tests.Unit.Client;

// The typed client over a probe standing in for the ClientProxy actor: bad input is refused with an
// ArgumentException naming the problem before anything is sent; unanswered requests time out with the key, shard
// and timeout in the message; failure replies become the documented exceptions, and partial batch failures keep
// the keys that succeeded.
public class ClientValidationSpecs : TestKit
{
    private readonly TestProbe _proxy;
    private readonly IDistCacheClient _client;

    public ClientValidationSpecs()
    {
        _proxy = CreateTestProbe();
        _client = DistCacheClient.FromProxy(Sys, _proxy.Ref, new DistCacheClientOptions
        {
            SeedNodes = ["127.0.0.1:4053"],
            RequestTimeout = TimeSpan.FromMilliseconds(300),
        });
    }

    public static TheoryData<string?, string> BadKeys => new()
    {
        { null, "key is null" },
        { "", "key is empty" },
        { new string('k', 1025), "1025 UTF-8 bytes long; the limit is 1024" },
        { new string('é', 513), "1026 UTF-8 bytes long; the limit is 1024" },
    };

    [Theory]
    [MemberData(nameof(BadKeys))]
    public async Task Should_refuse_bad_keys_before_sending(string? key, string expected)
    {
        var get = await Assert.ThrowsAsync<ArgumentException>(() => _client.GetAsync<string>(key!));
        var set = await Assert.ThrowsAsync<ArgumentException>(() => _client.SetAsync(key!, "v"));
        var remove = await Assert.ThrowsAsync<ArgumentException>(() => _client.RemoveAsync(key!));
        var batch = await Assert.ThrowsAsync<ArgumentException>(() => _client.GetMultipleAsync<string>(["ok", key!]));

        Assert.All(new[] { get, set, remove, batch }, e => Assert.Contains(expected, e.Message));
        await _proxy.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Should_refuse_a_value_over_the_limit_before_sending()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _client.SetBytesAsync("k", new byte[1_048_577], CacheExpiry.Never));

        Assert.Contains("1048577 bytes; the limit is 1048576", e.Message);
        await _proxy.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task Should_refuse_a_non_positive_ttl_before_sending(int seconds)
    {
        var single = await Assert.ThrowsAsync<ArgumentException>(() => _client.SetAsync("k", "v", TimeSpan.FromSeconds(seconds)));
        var batch = await Assert.ThrowsAsync<ArgumentException>(() =>
            _client.SetMultipleAsync(new Dictionary<string, string> { ["k"] = "v" }, TimeSpan.FromSeconds(seconds)));

        Assert.Contains("TTL must be positive", single.Message);
        Assert.Contains("TTL must be positive", batch.Message);
        await _proxy.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Should_refuse_an_undefined_consistency_level_before_sending()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _client.GetAsync<string>("k", (ConsistencyLevel)7));

        Assert.Contains("consistency level 7 is not defined", e.Message);
        await _proxy.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Should_time_out_naming_the_key_the_shard_and_the_timeout()
    {
        var e = await Assert.ThrowsAsync<DistCacheTimeoutException>(() => _client.GetAsync<string>("lonely"));

        var shard = new Messages.Hashing.ShardResolver(1024).ShardOf("lonely");
        Assert.Contains("'lonely'", e.Message);
        Assert.Contains($"shard {shard}", e.Message);
        Assert.Contains("300 ms", e.Message);
        Assert.Equal(shard, e.ShardId);
        await _proxy.ExpectMsgAsync<Get>(g => g.Key == "lonely" && g.Consistency == ConsistencyLevel.Quorum);
    }

    [Fact]
    public async Task Should_map_ConsistencyNotMet_with_its_counts()
    {
        var task = _client.SetAsync("k", 42, consistency: ConsistencyLevel.Strong);
        await _proxy.ExpectMsgAsync<Set>(s => s.Consistency == ConsistencyLevel.Strong);
        _proxy.Reply(new SetFailure("k", new CacheError(CacheErrorCode.ConsistencyNotMet, "1 of 3 replicas acknowledged", 1, 3, TimeSpan.FromSeconds(3))));

        var e = await Assert.ThrowsAsync<ConsistencyNotMetException>(() => task);
        Assert.Equal((1, 3, TimeSpan.FromSeconds(3)), (e.AcksReceived, e.AcksRequired, e.Timeout));
    }

    [Fact]
    public async Task Should_map_a_shard_that_stays_unavailable_to_a_retriable_DistCacheException_after_retrying()
    {
        var task = _client.GetAsync<int>("k");
        var attempts = 0;
        while (!task.IsCompleted && await _proxy.ReceiveOneAsync(TimeSpan.FromMilliseconds(400)) is Get)
        {
            attempts++;
            _proxy.Reply(new GetFailure("k", new CacheError(CacheErrorCode.Unavailable, $"Shard 7 could not finish recovery (attempt {attempts}).")));
        }

        var e = await Assert.ThrowsAsync<DistCacheException>(() => task);
        Assert.Equal(CacheErrorCode.Unavailable, e.Code);
        Assert.True(e.IsRetriable);
        Assert.Contains($"attempt {attempts}", e.Message); // the last refusal
        Assert.InRange(attempts, 2, 6); // 20, 40, 80, 160 ms backoffs fit in the 300 ms request timeout
    }

    [Fact]
    public async Task Should_send_a_refused_write_again_and_succeed_once_the_shard_takes_it()
    {
        var task = _client.SetAsync("k", 1);
        await _proxy.ExpectMsgAsync<Set>();
        _proxy.Reply(new SetFailure("k", new CacheError(CacheErrorCode.Unavailable, "Shard 7 moved to another node. Nothing was applied.")));
        await _proxy.ExpectMsgAsync<Set>();
        _proxy.Reply(new SetSuccess("k", new EntryVersion(2, 1)));

        await task;
    }

    [Fact]
    public async Task Should_never_retry_a_write_that_may_have_been_applied_or_when_retries_are_off()
    {
        var notMet = _client.SetAsync("k", 1);
        await _proxy.ExpectMsgAsync<Set>();
        _proxy.Reply(new SetFailure("k", new CacheError(CacheErrorCode.ConsistencyNotMet, "1 of 2", 1, 2, TimeSpan.FromSeconds(1))));
        await Assert.ThrowsAsync<ConsistencyNotMetException>(() => notMet);

        var noRetry = DistCacheClient.FromProxy(Sys, _proxy.Ref, new DistCacheClientOptions { SeedNodes = ["127.0.0.1:4053"], RetryUnavailable = false });
        var refused = noRetry.RemoveAsync("k");
        await _proxy.ExpectMsgAsync<Remove>();
        _proxy.Reply(new RemoveFailure("k", new CacheError(CacheErrorCode.Unavailable, "minority")));
        Assert.Equal(CacheErrorCode.Unavailable, (await Assert.ThrowsAsync<DistCacheException>(() => refused)).Code);
        await _proxy.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Should_refuse_a_near_cache_for_a_proxy_started_elsewhere()
    {
        var options = new DistCacheClientOptions { SeedNodes = ["127.0.0.1:4053"], NearCache = new NearCacheOptions() };

        var fromProxy = Assert.Throws<ArgumentException>(() => DistCacheClient.FromProxy(Sys, _proxy.Ref, options));
        var hosted = Assert.Throws<ArgumentException>(() =>
            new AkkaConfigurationBuilder(new ServiceCollection(), "app").WithDistCacheClient(options));

        Assert.Contains("NearCache is set", fromProxy.Message);
        Assert.Contains("WithDistCacheClient's proxy does not keep a near cache", hosted.Message);
    }

    [Fact]
    public async Task Should_report_failed_keys_of_a_batch_and_keep_the_successful_ones()
    {
        var task = _client.GetMultipleAsync<int>(["a", "b", "c"]);
        var request = await _proxy.ExpectMsgAsync<GetMultiple>();
        _proxy.Reply(new GetMultipleResult(
            new Dictionary<string, CacheItem> { ["a"] = new("a", "1"u8.ToArray(), new EntryVersion(1, 1)) },
            ["b"],
            new Dictionary<string, CacheError> { ["c"] = new(CacheErrorCode.Unavailable, "Shard 9 did not answer within 300 ms.") }));

        var e = await Assert.ThrowsAsync<DistCacheBatchException>(() => task);
        Assert.Equal(3, request.Keys.Count);
        Assert.Equal(["c"], e.Failures.Keys);
        Assert.Contains("c", e.Message);
        Assert.Equal(1, e.PartialResults["a"]);
        Assert.Contains("b", e.SucceededKeys);
    }

    [Fact]
    public async Task Should_return_a_missing_key_as_default()
    {
        var task = _client.GetAsync<string>("absent");
        await _proxy.ExpectMsgAsync<Get>();
        _proxy.Reply(new NotFound("absent"));

        Assert.Null(await task);
    }
}
