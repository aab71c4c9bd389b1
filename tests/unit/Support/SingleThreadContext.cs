using System.Collections.Concurrent;

namespace DistCacheAkka.Tests.Unit.Support;

/// <summary>
/// A SynchronizationContext with one thread, like a UI thread or classic ASP.NET: continuations posted to it run only
/// when that thread is free. Code that blocks the thread on a task whose continuation needs the context deadlocks;
/// <see cref="Run"/> reports that as a <see cref="TimeoutException"/> after the deadline instead of hanging.
/// </summary>
public sealed class SingleThreadContext : SynchronizationContext
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = new();

    public override void Post(SendOrPostCallback d, object? state) => _queue.Add((d, state));

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Send is not used by the code under test.");

    /// <summary>Runs <paramref name="action"/> on a new thread under a new context and pumps the context until the
    /// action returns; rethrows its exception; throws <see cref="TimeoutException"/> if it is still blocked after
    /// <paramref name="deadline"/> (the thread is then abandoned, as a deadlocked one must be).</summary>
    public static void Run(Action action, TimeSpan deadline)
    {
        var context = new SingleThreadContext();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            SetSynchronizationContext(context);
            context.Post(_ =>
            {
                try
                {
                    action();
                    done.SetResult();
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
                finally
                {
                    context._queue.CompleteAdding();
                }
            }, null);
            try
            {
                foreach (var (callback, state) in context._queue.GetConsumingEnumerable())
                    callback(state);
            }
            catch (InvalidOperationException)
            {
                // a post after CompleteAdding: the action is over
            }
        }) { IsBackground = true, Name = "single-thread-context" };
        thread.Start();
        if (!done.Task.Wait(deadline))
            throw new TimeoutException($"The code blocked its single-threaded SynchronizationContext for {deadline.TotalSeconds:0.#} s: a deadlock.");
        done.Task.GetAwaiter().GetResult();
    }
}
