using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Telemetry;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Telemetry;

namespace DistCacheAkka.Tests.Unit.Telemetry;

// The attribute vocabulary: every (operation, level, outcome) has one shared, ready tag array of snake_case values from
// a fixed set (bounded cardinality, nothing from the request), and the client maps each failure to its kind.
public class TelemetryTagsSpecs
{
    [Fact]
    public void Should_build_each_tag_set_once_from_a_fixed_vocabulary()
    {
        var values = new HashSet<string>();
        foreach (var operation in Enum.GetValues<TelemetryOperation>())
        foreach (var level in new ConsistencyLevel?[] { ConsistencyLevel.Eventual, ConsistencyLevel.Quorum, ConsistencyLevel.Strong, (ConsistencyLevel)9, null })
        foreach (var outcome in Enum.GetValues<TelemetryOutcome>())
        {
            var tags = TelemetryTags.For(operation, level, outcome);
            Assert.Same(tags, TelemetryTags.For(operation, level, outcome)); // no allocation per measurement
            Assert.Equal(level is null ? 2 : 3, tags.Length);
            foreach (var (_, value) in tags)
                values.Add((string)value!);
        }

        Assert.All(values, v => Assert.Matches("^[a-z_]+$", v));
        Assert.Equal(Enum.GetValues<TelemetryOperation>().Length + 4 + Enum.GetValues<TelemetryOutcome>().Length, values.Count);
        Assert.Contains("invalid", values); // a level outside the enum is not its number
    }

    [Fact]
    public void Should_map_each_client_failure_to_its_kind()
    {
        Assert.Equal(TelemetryOutcome.Timeout, ClientTelemetry.OutcomeOf(new DistCacheTimeoutException("m", "k", 1, TimeSpan.FromSeconds(1))));
        Assert.Equal(TelemetryOutcome.Cancelled, ClientTelemetry.OutcomeOf(new TaskCanceledException()));
        Assert.Equal(TelemetryOutcome.ConsistencyNotMet, ClientTelemetry.OutcomeOf(new ConsistencyNotMetException("m", 1, 2, TimeSpan.FromSeconds(1))));
        Assert.Equal(TelemetryOutcome.Unavailable, ClientTelemetry.OutcomeOf(new DistCacheException(CacheErrorCode.Unavailable, "m")));
        Assert.Equal(TelemetryOutcome.OutOfMemory, ClientTelemetry.OutcomeOf(new DistCacheException(CacheErrorCode.OutOfMemory, "m")));
        Assert.Equal(TelemetryOutcome.Error, ClientTelemetry.OutcomeOf(new DistCacheException(CacheErrorCode.Unknown, "m")));
        Assert.Equal(TelemetryOutcome.InvalidRequest, ClientTelemetry.OutcomeOf(new ArgumentException("m")));
        Assert.Equal(TelemetryOutcome.BatchFailure, ClientTelemetry.OutcomeOf(
            new DistCacheBatchException(new Dictionary<string, Exception> { ["k"] = new TimeoutException() }, [], new Dictionary<string, object?>())));
        Assert.Equal(TelemetryOutcome.Error, ClientTelemetry.OutcomeOf(new InvalidOperationException()));
    }
}
