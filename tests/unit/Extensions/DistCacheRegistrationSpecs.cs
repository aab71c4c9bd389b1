using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Actors;
using DistCacheAkka.ClientProxy.Extensions;
using DistCacheAkka.Tests.Unit.Support;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace DistCacheAkka.Tests.Unit.Extensions;

// AddDistCache and the health check without a cluster: invalid options fail at registration naming the option; the
// container hands out one IDistributedCache / IBufferDistributedCache over one deferred client; the deferred client
// makes calls wait for the connection, fails them with the connection's error and retries on the next call; the
// health check's verdict for each connection phase and topology.
public class DistCacheRegistrationSpecs
{
    private static readonly DistCacheClientOptions Options = new() { SeedNodes = ["127.0.0.1:4053"] };

    [Fact]
    public void Should_refuse_invalid_options_at_registration()
    {
        var services = new ServiceCollection();

        var empty = Assert.Throws<ArgumentException>(() => services.AddDistCache(new DistCacheClientOptions { SeedNodes = [] }));
        var malformed = Assert.Throws<ArgumentException>(() => services.AddDistCache(new DistCacheClientOptions { SeedNodes = ["nohost"] }));
        var timeout = Assert.Throws<ArgumentException>(() => services.AddDistCache(Options with { ConnectTimeout = TimeSpan.Zero }));

        Assert.Contains("SeedNodes is empty", empty.Message);
        Assert.Contains("\"nohost\" is malformed", malformed.Message);
        Assert.Contains("ConnectTimeout", timeout.Message);
        Assert.Throws<ArgumentNullException>(() => services.AddDistCache((DistCacheClientOptions)null!));
        Assert.Empty(services);
    }

    [Fact]
    public void Should_register_one_cache_over_one_deferred_client_and_replace_an_earlier_cache()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IDistributedCache>(new DistCacheDistributedCache(new InMemoryDistCacheClient(), Options));
        services.AddDistCache(Options);
        using var provider = services.BuildServiceProvider();

        var cache = provider.GetRequiredService<IDistributedCache>();

        Assert.IsType<DistCacheDistributedCache>(cache);
        Assert.Same(cache, provider.GetRequiredService<IBufferDistributedCache>());
        Assert.Single(provider.GetServices<IDistributedCache>());
        Assert.IsType<DeferredDistCacheClient>(provider.GetRequiredService<IDistCacheClient>());
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is DistCacheConnectionService);
        Assert.Throws<InvalidOperationException>(() => services.AddDistCache(Options));
    }

    [Fact]
    public void Should_build_options_from_the_container_and_check_them_when_first_resolved()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new[] { "127.0.0.1:4100" });
        services.AddDistCache(provider => new DistCacheClientOptions { SeedNodes = provider.GetRequiredService<string[]>() });
        using var provider = services.BuildServiceProvider();
        using var bad = new ServiceCollection().AddDistCache(_ => new DistCacheClientOptions { SeedNodes = ["nohost"] }).BuildServiceProvider();

        Assert.Equal(["127.0.0.1:4100"], provider.GetRequiredService<DistCacheClientOptions>().SeedNodes);
        Assert.IsType<DistCacheDistributedCache>(provider.GetRequiredService<IDistributedCache>());
        Assert.Contains("\"nohost\" is malformed", Assert.Throws<ArgumentException>(() => bad.GetRequiredService<IDistributedCache>()).Message);
    }

    [Fact]
    public async Task Should_make_calls_wait_for_the_connection_and_then_forward_them()
    {
        var connection = new TaskCompletionSource<IDistCacheClient>();
        var inner = new InMemoryDistCacheClient();
        var deferred = new DeferredDistCacheClient(_ => connection.Task);

        var set = deferred.SetBytesAsync("k", [1], Messages.CacheExpiry.Never);
        Assert.Equal(ConnectionPhase.Connecting, deferred.Phase);
        Assert.False(set.IsCompleted);
        connection.SetResult(inner);
        await set;

        Assert.Equal([1], await deferred.GetBytesAsync("k"));
        Assert.Equal(ConnectionPhase.Connected, deferred.Phase);
        await deferred.DisposeAsync();
        Assert.Equal(ConnectionPhase.Disposed, deferred.Phase);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => deferred.GetBytesAsync("k"));
    }

    [Fact]
    public async Task Should_fail_calls_with_the_connection_error_and_retry_on_the_next_call()
    {
        var attempts = 0;
        var deferred = new DeferredDistCacheClient(_ => ++attempts == 1
            ? Task.FromException<IDistCacheClient>(new DistCacheConnectionException("no seed answered", ["127.0.0.1:1"]))
            : Task.FromResult<IDistCacheClient>(new InMemoryDistCacheClient()));

        var error = await Assert.ThrowsAsync<DistCacheConnectionException>(() => deferred.GetBytesAsync("k"));
        var failed = await new DistCacheHealthCheck(deferred).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal("no seed answered", error.Message);
        Assert.Equal(HealthStatus.Unhealthy, failed.Status);
        Assert.Contains("could not connect: no seed answered", failed.Description);
        Assert.Null(await deferred.GetBytesAsync("k"));
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task Should_be_unhealthy_before_the_connection_started()
    {
        var deferred = new DeferredDistCacheClient(_ => new TaskCompletionSource<IDistCacheClient>().Task);
        var registration = new HealthCheckRegistration("distcache", _ => null!, HealthStatus.Degraded, null);

        var result = await new DistCacheHealthCheck(deferred).CheckHealthAsync(new HealthCheckContext());
        var withFailureStatus = await new DistCacheHealthCheck(deferred).CheckHealthAsync(new HealthCheckContext { Registration = registration });

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("has not started connecting", result.Description);
        Assert.Equal(HealthStatus.Degraded, withFailureStatus.Status); // the application's failure status
    }

    [Fact]
    public void Should_judge_the_topology()
    {
        string[] nodes = ["akka.tcp://distcache@127.0.0.1:1", "akka.tcp://distcache@127.0.0.1:2", "akka.tcp://distcache@127.0.0.1:3"];
        var owners = new Dictionary<int, string> { [0] = nodes[0] };
        ClientTopologySnapshot Topology(params string[] unreachable) => new(nodes, unreachable.ToHashSet(), owners);

        var healthy = DistCacheHealthCheck.Evaluate(new ConnectionState(true, true, 3), Topology());
        var degraded = DistCacheHealthCheck.Evaluate(new ConnectionState(true, true, 3), Topology(nodes[2]));
        var cutOff = DistCacheHealthCheck.Evaluate(new ConnectionState(false, true, 3), Topology(nodes));
        var unheard = DistCacheHealthCheck.Evaluate(new ConnectionState(false, false, 0), new ClientTopologySnapshot([], new HashSet<string>(), new Dictionary<int, string>()));

        Assert.Equal((HealthStatus.Healthy, "3 data nodes reachable."), (healthy.Status, healthy.Description));
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal($"1 of 3 data nodes are unreachable: {nodes[2]}; their shards wait for failover.", degraded.Description);
        Assert.Equal(HealthStatus.Unhealthy, cutOff.Status);
        Assert.Contains("No data node is reachable: 3 known", cutOff.Description);
        Assert.Equal((HealthStatus.Unhealthy, "No data node has answered the DistCacheAkka client yet."), (unheard.Status, unheard.Description));
        Assert.Equal(0, unheard.Data["dataNodes"]);
    }
}
