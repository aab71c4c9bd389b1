using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Demo;

/// <summary>The demo's subscription to failover and rebalancing events, collected in the background.</summary>
internal sealed class DemoEvents : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly List<FailoverOccurred> _failovers = [];
    private RebalancingProgress? _latest;

    public DemoEvents(IDistCacheClient client, CancellationToken ct)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var evt in client.SubscribeAsync(CacheEventFilter.Of(CacheEventKind.FailoverOccurred, CacheEventKind.RebalancingProgress), _stop.Token))
                {
                    lock (_failovers)
                    {
                        if (evt is FailoverOccurred f)
                            _failovers.Add(f);
                        else if (evt is RebalancingProgress p)
                            _latest = p;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public IReadOnlyList<FailoverOccurred> Failovers
    {
        get
        {
            lock (_failovers)
                return [.. _failovers];
        }
    }

    public RebalancingProgress? LatestProgress
    {
        get
        {
            lock (_failovers)
                return _latest;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
