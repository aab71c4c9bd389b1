using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;

namespace DistCacheAkka.Tests.Multinode.Support;

/// <summary>Collects a client's events in the background until disposed.</summary>
public sealed class EventRecorder : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<DistributedCacheEvent> _events = [];
    private readonly Task _reader;

    public EventRecorder(IDistCacheClient client, params CacheEventKind[] kinds)
    {
        _reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var evt in client.SubscribeAsync(CacheEventFilter.Of(kinds), _stop.Token))
                    lock (_events)
                        _events.Add(evt);
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public IReadOnlyList<T> Of<T>() where T : DistributedCacheEvent
    {
        lock (_events)
            return _events.OfType<T>().ToList();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _reader.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
