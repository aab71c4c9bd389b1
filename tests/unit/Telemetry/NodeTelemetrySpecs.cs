using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.CacheNode.Stats;
using DistCacheAkka.CacheNode.Storage;
using DistCacheAkka.CacheNode.Telemetry;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Telemetry;

namespace DistCacheAkka.Tests.Unit.Telemetry;

// The node's meter without a cluster: a command and its reply become one count and one duration tagged with the
// operation, consistency level and outcome (every reply type, and no reply as timeout); the observed instruments read
// the node's existing counters, and the hit/miss/eviction counters stay monotonic when a primary moves away (its
// counts are kept), unlike the sums over the current primaries. Each spec listens to its own NodeTelemetry instance
// only, so specs running in parallel do not disturb each other.
public sealed class NodeTelemetrySpecs : IDisposable
{
    private readonly NodeMetrics _metrics = new();
    private readonly MemoryBudget _budget = new(64 << 20, EvictionPolicy.Lru, 5, TimeSpan.FromSeconds(1));
    private readonly NodeTelemetry _telemetry;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string?> Tags)> _recorded = new();

    public NodeTelemetrySpecs()
    {
        _telemetry = new NodeTelemetry(_metrics, _budget);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _telemetry.Meter))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _recorded.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString())));

    [Theory]
    [InlineData("get-hit", "get", "eventual", "hit")]
    [InlineData("get-miss", "get", "quorum", "miss")]
    [InlineData("get-failure", "get", "strong", "consistency_not_met")]
    [InlineData("near-get", "near_get", "eventual", "hit")]
    [InlineData("set-ok", "set", "quorum", "ok")]
    [InlineData("set-oom", "set", "eventual", "out_of_memory")]
    [InlineData("remove-unavailable", "remove", "strong", "unavailable")]
    [InlineData("get-many", "get_many", "quorum", "ok")]
    [InlineData("set-many-wrong-shard", "set_many", "eventual", "wrong_shard")]
    [InlineData("set-no-reply", "set", "strong", "timeout")]
    public void Should_count_and_time_a_request_by_operation_level_and_outcome(string @case, string operation, string level, string outcome)
    {
        var (command, reply) = Case(@case);
        var started = Stopwatch.GetTimestamp() - Stopwatch.Frequency / 100; // 10 ms ago

        _telemetry.RecordRequest(command, reply, started);

        var expected = new Dictionary<string, string?>
        {
            [DistCacheTelemetry.OperationAttribute] = operation,
            [DistCacheTelemetry.ConsistencyAttribute] = level,
            [DistCacheTelemetry.OutcomeAttribute] = outcome,
        };
        var count = Assert.Single(_recorded, r => r.Instrument == "distcache.node.requests");
        Assert.Equal(1, count.Value);
        Assert.Equal(expected, count.Tags);
        var duration = Assert.Single(_recorded, r => r.Instrument == "distcache.node.request.duration");
        Assert.InRange(duration.Value, 0.01, 5);
        Assert.Equal(expected, duration.Tags);
    }

    private static (ICacheMessage Command, ICacheMessage? Reply) Case(string name)
    {
        var version = new EntryVersion(1, 1);
        CacheError Error(CacheErrorCode code) => new(code, "the key k failed");
        return name switch
        {
            "get-hit" => (new Get("k"), new GetSuccess("k", [1], version)),
            "get-miss" => (new Get("k", ConsistencyLevel.Quorum), new NotFound("k")),
            "get-failure" => (new Get("k", ConsistencyLevel.Strong), new GetFailure("k", Error(CacheErrorCode.ConsistencyNotMet))),
            "near-get" => (new NearGet("k"), new NearGetSuccess("k", [1], version, 7, TimeSpan.Zero)),
            "set-ok" => (new Set("k", [1], CacheExpiry.Never, ConsistencyLevel.Quorum), new SetSuccess("k", version)),
            "set-oom" => (new Set("k", [1], CacheExpiry.Never), new SetFailure("k", Error(CacheErrorCode.OutOfMemory))),
            "remove-unavailable" => (new Remove("k", ConsistencyLevel.Strong), new RemoveFailure("k", Error(CacheErrorCode.Unavailable))),
            "get-many" => (new GetMany(3, ["k"], ConsistencyLevel.Quorum), new GetManySuccess(3, [], ["k"])),
            "set-many-wrong-shard" => (new SetMany(3, [new KeyValue("k", [1])], CacheExpiry.Never), new SetManyFailure(3, ["k"], Error(CacheErrorCode.WrongShard))),
            "set-no-reply" => (new Set("k", [1], CacheExpiry.Never, ConsistencyLevel.Strong), null),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
    }

    [Fact]
    public void Should_keep_hits_misses_and_evictions_monotonic_when_a_primary_moves_away()
    {
        var shard1 = new ShardCounters { Hits = 5, Misses = 2, Evictions = 1 };
        var shard2 = new ShardCounters { Hits = 3 };
        _metrics.Register(1, shard1);
        _metrics.Register(2, shard2);
        Assert.Equal(8, Observed("distcache.node.hits"));

        _metrics.Unregister(1, shard1); // handed off: its primary stopped
        shard2.Hits++;

        Assert.Equal(9, Observed("distcache.node.hits"));
        Assert.Equal(2, Observed("distcache.node.misses"));
        Assert.Equal(1, Observed("distcache.node.evictions"));
        _metrics.Unregister(1, shard1); // a second word about the same primary counts nothing
        Assert.Equal(9, Observed("distcache.node.hits"));
    }

    [Fact]
    public void Should_observe_entries_by_replica_role_memory_and_shards()
    {
        _metrics.Register(1, new ShardCounters { Entries = 10, Bytes = 1_000 });
        _metrics.Register(2, new ShardCounters { Entries = 5, Bytes = 500 });
        _metrics.RegisterBackup(3, new ShardCounters { Entries = 7 });
        _budget.Add(4_096);

        _listener.RecordObservableInstruments();

        var entries = _recorded.Where(r => r.Instrument == "distcache.node.entries").ToList();
        Assert.Equal(15, Assert.Single(entries, e => e.Tags["distcache.replica_role"] == "primary").Value);
        Assert.Equal(7, Assert.Single(entries, e => e.Tags["distcache.replica_role"] == "backup").Value);
        Assert.Equal(1_500, Last("distcache.node.stored.size"));
        Assert.Equal(4_096, Last("distcache.node.memory.usage"));
        Assert.Equal(64 << 20, Last("distcache.node.memory.limit"));
        Assert.Equal(2, Last("distcache.node.shards"));
    }

    [Fact]
    public void Should_record_nothing_and_cost_a_flag_check_while_nobody_listens()
    {
        using var telemetry = new NodeTelemetry(new NodeMetrics(), _budget); // not enabled by this spec's listener
        telemetry.RecordRequest(new Get("k"), new NotFound("k"), Stopwatch.GetTimestamp());
        Assert.Empty(_recorded);
    }

    private double Observed(string instrument)
    {
        _recorded.Clear();
        _listener.RecordObservableInstruments();
        return Last(instrument);
    }

    private double Last(string instrument) => _recorded.Last(r => r.Instrument == instrument).Value;

    public void Dispose()
    {
        _listener.Dispose();
        _telemetry.Dispose();
    }
}
