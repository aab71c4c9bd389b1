using System.Diagnostics;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;

namespace DistCacheAkka.MemoryBench;

/// <summary>One SetMultiple batch: when it finished (since the load's clock started), how long it took, and its error.</summary>
internal readonly record struct BatchRecord(TimeSpan FinishedAt, TimeSpan Latency, int Keys, string? Error);

/// <summary>
/// Writers sending SetMultiple batches of fresh keys at Quorum (the approach of tests/multinode/Support/FillLoad.cs,
/// with a clock per batch so throughput can be cut into intervals), and optionally a reader re-reading a hot set all
/// along. Bounded by a cancellation token and a key count.
/// </summary>
internal sealed class WriteLoad(IDistCacheClient client, string prefix, byte[] value, int writers, int batchSize)
{
    private readonly List<BatchRecord> _batches = [];
    private readonly List<(TimeSpan At, int Misses)> _hotRounds = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _nextKey;

    public IReadOnlyList<string> HotKeys { get; } = Enumerable.Range(0, 1000).Select(i => $"hot:{i}").ToList();

    public TimeSpan Elapsed => _clock.Elapsed;

    public long KeysAttempted => Interlocked.Read(ref _nextKey);

    public IReadOnlyList<BatchRecord> Batches
    {
        get
        {
            lock (_batches)
                return _batches.ToList();
        }
    }

    /// <summary>Misses per hot read round (-1: the round failed), with when it finished.</summary>
    public IReadOnlyList<(TimeSpan At, int Misses)> HotRounds
    {
        get
        {
            lock (_hotRounds)
                return _hotRounds.ToList();
        }
    }

    public async Task WriteHotSetAsync()
    {
        foreach (var chunk in HotKeys.Chunk(250))
            await client.SetMultipleAsync(chunk.ToDictionary(k => k, _ => value), consistency: ConsistencyLevel.Quorum);
    }

    /// <summary>Writes until <paramref name="stop"/> fires or <paramref name="maxKeys"/> keys were attempted (in all
    /// runs of this load); re-reads the hot set meanwhile when <paramref name="readHotSet"/>.</summary>
    public async Task RunAsync(CancellationToken stop, long maxKeys = long.MaxValue, bool readHotSet = false)
    {
        var writing = Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var first = Interlocked.Add(ref _nextKey, batchSize) - batchSize;
                if (first >= maxKeys)
                    break;
                var batch = new Dictionary<string, byte[]>(batchSize);
                for (var i = first; i < first + batchSize; i++)
                    batch[$"{prefix}{i}"] = value;
                var started = _clock.Elapsed;
                string? error = null;
                try
                {
                    await client.SetMultipleAsync(batch, consistency: ConsistencyLevel.Quorum);
                }
                catch (Exception e) when (e is DistCacheBatchException or DistCacheTimeoutException or DistCacheException)
                {
                    error = e is DistCacheBatchException b
                        ? $"{b.Failures.Count} of {batchSize} keys failed, e.g. {b.Failures.Values.First().Message}"
                        : e.Message;
                }

                var finished = _clock.Elapsed;
                lock (_batches)
                    _batches.Add(new BatchRecord(finished, finished - started, batchSize, error));
            }
        })).ToList();
        var reading = !readHotSet ? Task.CompletedTask : Task.Run(async () =>
        {
            while (!writing.All(w => w.IsCompleted))
            {
                var misses = -1; // a failed round: counted apart from misses
                try
                {
                    var found = await client.GetMultipleAsync<byte[]>(HotKeys, ConsistencyLevel.Eventual);
                    misses = HotKeys.Count - found.Count;
                }
                catch (Exception e) when (e is DistCacheBatchException or DistCacheTimeoutException or DistCacheException)
                {
                }

                lock (_hotRounds)
                    _hotRounds.Add((_clock.Elapsed, misses));
            }
        });
        await Task.WhenAll(writing);
        await reading;
    }

    /// <summary>Keys acknowledged per second in each window of <paramref name="interval"/> from <paramref name="from"/>
    /// to <paramref name="to"/> (batches counted when they finish; failed batches count nothing).</summary>
    public static IReadOnlyList<double> KeysPerSecond(IEnumerable<BatchRecord> batches, TimeSpan from, TimeSpan to, TimeSpan interval)
    {
        var list = batches.Where(b => b.Error is null && b.FinishedAt >= from && b.FinishedAt < to).ToList();
        var windows = new List<double>();
        for (var start = from; start + interval <= to + TimeSpan.FromMilliseconds(1); start += interval)
            windows.Add(list.Where(b => b.FinishedAt >= start && b.FinishedAt < start + interval).Sum(b => b.Keys) / interval.TotalSeconds);
        return windows;
    }
}
