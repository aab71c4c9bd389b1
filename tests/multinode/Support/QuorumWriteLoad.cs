using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;

namespace DistCacheAkka.Tests.Multinode.Support;

/// <summary>
/// A steady, bounded write load at Quorum: each writer writes its counter to keys <c>{prefix}:{writer}:{i % keys}</c>
/// until stopped, its write budget is spent, or the time is up. A write that fails retriably (client timeout,
/// ConsistencyNotMet, Unavailable from a recovering shard) is retried with the same value until acknowledged, and
/// counted by exception type; any other failure ends its writer, and <see cref="StopAsync"/> rethrows it.
/// </summary>
public sealed class QuorumWriteLoad
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, int> _acknowledged = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _retries = new(StringComparer.Ordinal);
    private readonly List<Task> _writers;
    private int _writes;

    private QuorumWriteLoad(IDistCacheClient client, string prefix, int writers, int keys, int writesPerWriter, TimeSpan maxDuration)
    {
        var until = DateTime.UtcNow + maxDuration;
        _writers = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !_stop.IsCancellationRequested && i < writesPerWriter && DateTime.UtcNow < until; i++)
            {
                var key = $"{prefix}:{w}:{i % keys}";
                while (true)
                {
                    try
                    {
                        await client.SetAsync(key, i, consistency: ConsistencyLevel.Quorum);
                        lock (_acknowledged)
                            _acknowledged[key] = i;
                        Interlocked.Increment(ref _writes);
                        break;
                    }
                    catch (Exception e) when (e is DistCacheTimeoutException or DistCacheException { IsRetriable: true })
                    {
                        lock (_retries)
                            _retries[e.GetType().Name] = _retries.GetValueOrDefault(e.GetType().Name) + 1;
                    }
                }
            }
        })).ToList();
    }

    /// <summary>Acknowledged writes so far.</summary>
    public int Writes => Volatile.Read(ref _writes);

    public bool Finished => _writers.All(t => t.IsCompleted);

    public static QuorumWriteLoad Start(IDistCacheClient client, string prefix, int writers, int keys, int writesPerWriter, TimeSpan maxDuration) =>
        new(client, prefix, writers, keys, writesPerWriter, maxDuration);

    /// <summary>Retried requests by exception type, e.g. "DistCacheTimeoutException x3".</summary>
    public string RetrySummary()
    {
        lock (_retries)
            return _retries.Count == 0 ? "none" : string.Join(", ", _retries.Select(r => $"{r.Key} x{r.Value}"));
    }

    /// <summary>Stops the writers and waits for them; rethrows a non-retriable failure of any writer.</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_writers);
    }

    /// <summary>The last acknowledged value of each key written.</summary>
    public Dictionary<string, int> Acknowledged()
    {
        lock (_acknowledged)
            return new Dictionary<string, int>(_acknowledged, StringComparer.Ordinal);
    }

    /// <summary>Reads every acknowledged key back at Quorum; returns the keys missing or with another value.</summary>
    public async Task<List<string>> LostAsync(IDistCacheClient client)
    {
        var expected = Acknowledged();
        var lost = new List<string>();
        foreach (var chunk in expected.Keys.Chunk(500))
        {
            var read = await client.GetMultipleAsync<int>(chunk, ConsistencyLevel.Quorum);
            lost.AddRange(chunk.Where(k => !read.TryGetValue(k, out var v) || v != expected[k]));
        }

        return lost;
    }
}
