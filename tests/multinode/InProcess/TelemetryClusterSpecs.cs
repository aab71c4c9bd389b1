using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Telemetry;
using DistCacheAkka.Tests.Multinode.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// OpenTelemetry on a real 2-node cluster (issue 15): the client's meter counts every operation once by operation,
// consistency level and outcome (hit, miss, ok, and the error kinds) with a duration each, and its near cache's
// hits, misses, invalidations and entries; its activity source emits one Client activity per operation with the DB
// semantic-convention tags and an error status on failure; no key ever becomes a tag; every node serves its own
// meter as Prometheus text on its management endpoint (each request counted on exactly one node) and pushes it to an
// OTLP collector (a fake one here, over HTTP/protobuf). The nodes run with a 1 MiB noeviction budget so that a real
// out_of_memory refusal can be provoked; every other value written here is tiny.
public sealed class TelemetryClusterSpecs(TelemetryClusterSpecs.Fixture fixture) : IClassFixture<TelemetryClusterSpecs.Fixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private const string Requests = "distcache.client.requests";
    private const string Duration = "distcache.client.request.duration";

    [Fact]
    public async Task Should_count_client_requests_by_operation_level_and_outcome()
    {
        var client = fixture.Client;
        using var metrics = new MetricRecorder(DistCacheTelemetry.ClientMeterName);

        await client.SetAsync("tel:count:a", "v", consistency: ConsistencyLevel.Quorum);
        Assert.Equal("v", await client.GetAsync<string>("tel:count:a", ConsistencyLevel.Quorum));
        Assert.Null(await client.GetAsync<string>("tel:count:missing", ConsistencyLevel.Eventual));
        Assert.True(await client.RemoveAsync("tel:count:a", ConsistencyLevel.Strong));
        await client.SetMultipleAsync(new Dictionary<string, string> { ["tel:count:b"] = "1", ["tel:count:c"] = "2" }, consistency: ConsistencyLevel.Quorum);
        await client.GetMultipleAsync<string>(["tel:count:b", "tel:count:c"], ConsistencyLevel.Eventual);
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetAsync<string>(new string('k', 2000)));

        // The node refuses the write that would take it over its 1 MiB noeviction budget: a real node-side error.
        var big = new byte[400_000];
        await client.SetBytesAsync("tel:oom:1", big, CacheExpiry.Never, ConsistencyLevel.Quorum);
        await client.SetBytesAsync("tel:oom:2", big, CacheExpiry.Never, ConsistencyLevel.Quorum);
        var oom = await Assert.ThrowsAsync<DistCacheException>(() => client.SetBytesAsync("tel:oom:3", big, CacheExpiry.Never, ConsistencyLevel.Quorum));
        Assert.Equal(CacheErrorCode.OutOfMemory, oom.Code);
        await client.RemoveAsync("tel:oom:1", ConsistencyLevel.Quorum);
        await client.RemoveAsync("tel:oom:2", ConsistencyLevel.Quorum);

        double Count(string op, string level, string outcome) => metrics.Sum(Requests,
            (DistCacheTelemetry.OperationAttribute, op), (DistCacheTelemetry.ConsistencyAttribute, level), (DistCacheTelemetry.OutcomeAttribute, outcome));
        Assert.Equal(3, Count("set", "quorum", "ok")); // tel:count:a, and the two accepted big writes
        Assert.Equal(1, Count("get", "quorum", "hit"));
        Assert.Equal(1, Count("get", "eventual", "miss"));
        Assert.Equal(1, Count("remove", "strong", "ok"));
        Assert.Equal(2, Count("remove", "quorum", "ok"));
        Assert.Equal(1, Count("set_multiple", "quorum", "ok"));
        Assert.Equal(1, Count("get_multiple", "eventual", "ok"));
        Assert.Equal(1, Count("get", "quorum", "invalid_request")); // the client's default level
        Assert.Equal(1, Count("set", "quorum", "out_of_memory"));
        Assert.Equal(12, metrics.Sum(Requests)); // each operation once: GetAsync<T> and SetAsync<T> are not counted twice

        // One duration per counted request, with the same tags, in seconds.
        var durations = metrics.Of(Duration);
        Assert.Equal(12, durations.Count);
        Assert.All(durations, d => Assert.InRange(d.Value, 0, 30));
        Assert.Equal(
            metrics.Of(Requests).Select(r => Signature(r.Tags)).Order(),
            durations.Select(d => Signature(d.Tags)).Order());
        Assert.Equal("s", durations[0].Instrument.Unit);
        Assert.Equal("{request}", metrics.Of(Requests)[0].Instrument.Unit);
    }

    [Fact]
    public async Task Should_emit_one_client_activity_per_operation_with_db_tags_and_error_status()
    {
        var client = fixture.Client;
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DistCacheTelemetry.ClientActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        using (var parent = new Activity("request").Start())
        {
            await client.SetAsync("tel:span:a", "v", consistency: ConsistencyLevel.Strong);
            await client.GetAsync<string>("tel:span:a", ConsistencyLevel.Eventual);
            await client.GetMultipleAsync<string>(["tel:span:a", "tel:span:b", "tel:span:c"], ConsistencyLevel.Quorum);
            await Assert.ThrowsAsync<ArgumentException>(() => client.RemoveAsync("", ConsistencyLevel.Quorum));
            await client.GetStatsAsync();
            Assert.All(activities, a => Assert.Equal(parent.TraceId, a.TraceId)); // children of the caller's activity
        }

        var list = activities.ToList();
        Assert.Equal(["distcache set", "distcache get", "distcache get_multiple", "distcache remove", "distcache get_stats"], list.Select(a => a.DisplayName));
        Assert.All(list, a =>
        {
            Assert.Equal(ActivityKind.Client, a.Kind);
            Assert.Equal("distcache", a.GetTagItem("db.system.name"));
            Assert.Equal(a.DisplayName["distcache ".Length..], a.GetTagItem(DistCacheTelemetry.OperationAttribute));
        });
        Assert.Equal("strong", list[0].GetTagItem(DistCacheTelemetry.ConsistencyAttribute));
        Assert.Equal("ok", list[0].GetTagItem(DistCacheTelemetry.OutcomeAttribute));
        Assert.Equal("hit", list[1].GetTagItem(DistCacheTelemetry.OutcomeAttribute));
        Assert.Equal(3, list[2].GetTagItem("db.operation.batch.size"));
        Assert.Equal("quorum", list[2].GetTagItem(DistCacheTelemetry.ConsistencyAttribute));
        Assert.Equal(ActivityStatusCode.Unset, list[1].Status);

        var failed = list[3];
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal("invalid_request", failed.GetTagItem("error.type"));
        Assert.Equal("invalid_request", failed.GetTagItem(DistCacheTelemetry.OutcomeAttribute));
        Assert.Null(list[4].GetTagItem(DistCacheTelemetry.ConsistencyAttribute)); // stats have no level
    }

    [Fact]
    public async Task Should_never_put_a_key_or_a_message_in_a_tag()
    {
        var client = fixture.Client;
        using var metrics = new MetricRecorder(DistCacheTelemetry.ClientMeterName, DistCacheTelemetry.NodeMeterName);
        var tags = new ConcurrentQueue<string?>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DistCacheTelemetry.ClientActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                foreach (var tag in a.TagObjects)
                    tags.Enqueue(tag.Value?.ToString());
                tags.Enqueue(a.DisplayName);
                tags.Enqueue(a.StatusDescription);
            },
        };
        ActivitySource.AddActivityListener(listener);

        var keys = Enumerable.Range(0, 20).Select(i => $"secret-key-{i}").ToList();
        foreach (var key in keys)
        {
            await client.SetAsync(key, key, consistency: ConsistencyLevel.Quorum);
            await client.GetAsync<string>(key, ConsistencyLevel.Quorum);
            await client.RemoveAsync(key);
        }

        await client.SetMultipleAsync(keys.ToDictionary(k => k, k => k));
        await client.GetMultipleAsync<string>(keys);
        await Assert.ThrowsAsync<ArgumentException>(() => client.SetAsync("secret-key-" + new string('x', 2000), "v"));
        metrics.Observe();

        var values = metrics.All.SelectMany(r => r.Tags.Values).Concat(tags).Where(v => v is not null).Distinct().ToList();
        Assert.NotEmpty(values);
        Assert.DoesNotContain(values, v => v!.Contains("secret", StringComparison.Ordinal));
        // Every tag of a request measurement comes from the fixed vocabulary.
        Assert.All(metrics.All.SelectMany(r => r.Tags.Keys).Distinct(), k => Assert.Contains(k, new[]
        {
            DistCacheTelemetry.OperationAttribute, DistCacheTelemetry.ConsistencyAttribute, DistCacheTelemetry.OutcomeAttribute, "distcache.replica_role",
        }));
    }

    [Fact]
    public async Task Should_count_near_cache_hits_misses_invalidations_and_entries()
    {
        var reader = await fixture.Cluster.ConnectClientAsync(o => o with { NearCache = new NearCacheOptions { MaxEntries = 100 } });
        using var metrics = new MetricRecorder(DistCacheTelemetry.ClientMeterName);
        await fixture.Client.SetAsync("tel:near", "one", consistency: ConsistencyLevel.Quorum);

        // Cached once the reader follows the key's shard (the feed's first snapshot): then a read is a hit.
        await Eventually.HoldsAsync(async () =>
        {
            var before = metrics.Sum("distcache.client.near_cache.hits");
            return await reader.GetAsync<string>("tel:near", ConsistencyLevel.Eventual) == "one"
                   && metrics.Sum("distcache.client.near_cache.hits") > before;
        }, Deadline, "a near-cache hit for tel:near");
        var stats = ((DistCacheClientImpl)reader).NearCacheStats!;
        Assert.Equal(stats.Hits, metrics.Sum("distcache.client.near_cache.hits"));
        Assert.Equal(stats.Misses, metrics.Sum("distcache.client.near_cache.misses"));
        Assert.True(stats.Misses >= 1);
        metrics.Observe();
        Assert.True(metrics.Of("distcache.client.near_cache.entries").Last().Value >= 1);

        // Another client's write invalidates the reader's entry through the nodes' feeds.
        await fixture.Client.SetAsync("tel:near", "two", consistency: ConsistencyLevel.Quorum);
        await Eventually.HoldsAsync(() => metrics.Sum("distcache.client.near_cache.invalidations") >= 1, Deadline, "a near-cache invalidation");
        Assert.Equal(((DistCacheClientImpl)reader).NearCacheStats!.Invalidations, metrics.Sum("distcache.client.near_cache.invalidations"));

        // Near-cache hits are still get requests with outcome hit, at level eventual.
        Assert.True(metrics.Sum(Requests, (DistCacheTelemetry.OperationAttribute, "get"), (DistCacheTelemetry.ConsistencyAttribute, "eventual"),
            (DistCacheTelemetry.OutcomeAttribute, "hit")) >= 1);
    }

    [Fact]
    public async Task Should_serve_each_nodes_own_metrics_as_prometheus_text()
    {
        var before = await StrongSetsServedAsync();
        for (var i = 0; i < 25; i++)
            await fixture.Client.SetAsync($"tel:prom:{i}", i, consistency: ConsistencyLevel.Strong);
        await fixture.Client.GetAsync<int>("tel:prom:0", ConsistencyLevel.Quorum);

        // Every Strong set went through exactly one node's gateway: the nodes' counts add up to 25, so no node
        // reports another node's meter (all nodes share this process and the meter's name).
        Assert.Equal(before + 25, await StrongSetsServedAsync());

        var (contentType, text) = await ScrapeAsync(fixture.Cluster.Nodes[0]);
        Assert.StartsWith("text/plain", contentType);
        var samples = ParsePrometheus(text);
        Assert.Contains("# TYPE distcache_node_requests_total counter", text);
        Assert.Contains("# TYPE distcache_node_request_duration_seconds histogram", text);
        Assert.Contains(samples, s => s.Name == "distcache_node_request_duration_seconds_bucket" && s.Labels.Contains("le=\"0.001\""));
        Assert.Contains(samples, s => s.Name == "distcache_node_entries" && s.Labels.Contains("distcache_replica_role=\"primary\""));
        Assert.Contains(samples, s => s.Name == "distcache_node_entries" && s.Labels.Contains("distcache_replica_role=\"backup\""));
        Assert.Equal(1 << 20, samples.Single(s => s.Name == "distcache_node_memory_limit_bytes").Value);
        Assert.True(samples.Single(s => s.Name == "distcache_node_memory_usage_bytes").Value > 0);
        foreach (var name in new[] { "distcache_node_hits_total", "distcache_node_misses_total", "distcache_node_evictions_total", "distcache_node_expirations_total",
                     "distcache_node_stored_size_bytes", "distcache_node_shards", "distcache_node_replication_queue" })
            Assert.Contains(samples, s => s.Name == name);
        Assert.True(samples.Single(s => s.Name == "distcache_node_shards").Value >= 1);
        Assert.Contains(samples, s => s.Name.StartsWith("dotnet_", StringComparison.Ordinal)); // the runtime's meter
    }

    [Fact]
    public async Task Should_push_node_metrics_to_an_otlp_collector()
    {
        await fixture.Client.SetAsync("tel:otlp", "v", consistency: ConsistencyLevel.Quorum);
        await Eventually.HoldsAsync(() => fixture.Otlp.Any(p => p.Body.Contains("distcache.node.requests", StringComparison.Ordinal)),
            Deadline, "an OTLP export carrying distcache.node.requests");
        var push = fixture.Otlp.First(p => p.Body.Contains("distcache.node.requests", StringComparison.Ordinal));
        Assert.Equal("/v1/metrics", push.Path);
        Assert.Equal("application/x-protobuf", push.ContentType);
        Assert.Contains("distcache-node", push.Body); // service.name of the resource
    }

    private async Task<double> StrongSetsServedAsync()
    {
        double total = 0;
        foreach (var node in fixture.Cluster.Nodes)
        {
            var (_, text) = await ScrapeAsync(node);
            total += ParsePrometheus(text)
                .Where(s => s.Name == "distcache_node_requests_total" && s.Labels.Contains("db_operation_name=\"set\"")
                            && s.Labels.Contains("distcache_consistency_level=\"strong\"") && s.Labels.Contains("distcache_outcome=\"ok\""))
                .Sum(s => s.Value);
        }

        return total;
    }

    private static async Task<(string ContentType, string Text)> ScrapeAsync(Microsoft.Extensions.Hosting.IHost node)
    {
        using var http = new HttpClient { BaseAddress = InProcessCluster.ManagementAddressOf(node), Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync("/metrics");
        Assert.Equal(200, (int)response.StatusCode);
        return (response.Content.Headers.ContentType?.ToString() ?? "", await response.Content.ReadAsStringAsync());
    }

    private static readonly Regex SampleLine = new(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{[^}]*\})? (?<value>\S+)( \d+)?$", RegexOptions.Compiled);

    /// <summary>Every line of the text format is a comment (# HELP, # TYPE, # UNIT, # EOF) or a valid sample.</summary>
    private static List<(string Name, string Labels, double Value)> ParsePrometheus(string text)
    {
        var samples = new List<(string, string, double)>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                Assert.Matches(@"^# (HELP|TYPE|UNIT|EOF)", line);
                continue;
            }

            var match = SampleLine.Match(line);
            Assert.True(match.Success, $"not a Prometheus sample line: {line}");
            var value = match.Groups["value"].Value switch { "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, var v => double.Parse(v, CultureInfo.InvariantCulture) };
            samples.Add((match.Groups["name"].Value, match.Groups["labels"].Value, value));
        }

        return samples;
    }

    private static string Signature(IReadOnlyDictionary<string, string?> tags) =>
        string.Join(",", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));

    /// <summary>A fake OTLP/HTTP collector, then a 2-node cluster that pushes to it every 500 ms, and one client.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private WebApplication? _collector;
        private readonly ConcurrentQueue<(string Path, string? ContentType, string Body)> _otlp = new();

        public InProcessCluster Cluster { get; private set; } = null!;

        public IDistCacheClient Client { get; private set; } = null!;

        public IEnumerable<(string Path, string? ContentType, string Body)> Otlp => _otlp;

        public async Task InitializeAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
            _collector = builder.Build();
            _collector.MapPost("/v1/metrics", async (HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                // Protobuf carries names and string attributes as plain UTF-8: enough to recognise the export.
                _otlp.Enqueue((request.Path.Value ?? "", request.ContentType, Encoding.UTF8.GetString(body.ToArray())));
                return Results.Ok();
            });
            await _collector.StartAsync();
            var collector = _collector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

            Cluster = await InProcessCluster.StartAsync(2, $"""
                distcache.memory.limit = 1MiB
                distcache.memory.eviction-policy = noeviction
                distcache.telemetry.otlp.endpoint = "{collector}"
                distcache.telemetry.otlp.protocol = http/protobuf
                distcache.telemetry.otlp.export-interval = 500ms
                """);
            Client = await Cluster.ConnectClientAsync();
        }

        public async Task DisposeAsync()
        {
            await Cluster.DisposeAsync();
            if (_collector is not null)
                await _collector.DisposeAsync();
        }
    }
}
