using System.Diagnostics;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;

namespace DistCacheAkka.Tests.Multinode.Support;

/// <summary>
/// Fills a cluster past its memory: writers send SetMultiple batches of fresh ~1 KB values at Quorum while a reader
/// re-reads a hot set all along. Bounded by a key count and a deadline, it records each batch's latency and outcome
/// and each hot read round's misses. Used by the memory specs and mirrored by bench/ for longer runs.
/// </summary>
public sealed class FillLoad(IDistCacheClient client, int writers = 4, int batchSize = 250, int valueBytes = 1000)
{
    private readonly string _value = new('v', valueBytes);
    private readonly List<(TimeSpan Latency, Exception? Error)> _batches = [];
    private readonly List<int> _hotMisses = [];
    private long _nextKey;

    public IReadOnlyList<string> HotKeys { get; } = Enumerable.Range(0, 1000).Select(i => $"hot:{i}").ToList();

    public IReadOnlyList<(TimeSpan Latency, Exception? Error)> Batches
    {
        get
        {
            lock (_batches)
                return _batches.ToList();
        }
    }

    public IReadOnlyList<int> HotMisses
    {
        get
        {
            lock (_hotMisses)
                return _hotMisses.ToList();
        }
    }

    public long KeysWritten => Interlocked.Read(ref _nextKey);

    public async Task WriteHotSetAsync()
    {
        foreach (var chunk in HotKeys.Chunk(250))
            await client.SetMultipleAsync(chunk.ToDictionary(k => k, _ => _value), consistency: ConsistencyLevel.Quorum);
    }

    /// <summary>Writes until <paramref name="keys"/> fresh keys were attempted or <paramref name="deadline"/> passed;
    /// <paramref name="stopWhen"/> ends it early (checked after every batch).</summary>
    public async Task RunAsync(long keys, TimeSpan deadline, Func<bool>? stopWhen = null)
    {
        using var stop = new CancellationTokenSource(deadline);
        var writing = Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && (stopWhen is null || !stopWhen()))
            {
                var first = Interlocked.Add(ref _nextKey, batchSize) - batchSize;
                if (first >= keys)
                    break;
                var batch = new Dictionary<string, string>(batchSize);
                for (var i = first; i < first + batchSize; i++)
                    batch[$"fill:{i}"] = _value;
                var started = Stopwatch.StartNew();
                Exception? error = null;
                try
                {
                    await client.SetMultipleAsync(batch, consistency: ConsistencyLevel.Quorum);
                }
                catch (Exception e) when (e is DistCacheBatchException or DistCacheTimeoutException or DistCacheException)
                {
                    error = e;
                }

                lock (_batches)
                    _batches.Add((started.Elapsed, error));
            }
        })).ToList();
        var reading = Task.Run(async () =>
        {
            while (!writing.All(w => w.IsCompleted))
            {
                try
                {
                    var found = await client.GetMultipleAsync<string>(HotKeys, ConsistencyLevel.Eventual);
                    lock (_hotMisses)
                        _hotMisses.Add(HotKeys.Count - found.Count);
                }
                catch (Exception e) when (e is DistCacheBatchException or DistCacheTimeoutException or DistCacheException)
                {
                    lock (_hotMisses)
                        _hotMisses.Add(-1); // a failed round: counted apart from misses
                }
            }
        });
        await Task.WhenAll(writing);
        await reading;
    }

    public static TimeSpan Percentile(IEnumerable<TimeSpan> latencies, double p)
    {
        var sorted = latencies.OrderBy(l => l).ToList();
        return sorted.Count == 0 ? TimeSpan.Zero : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
