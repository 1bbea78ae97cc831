using System.Runtime.CompilerServices;

namespace AmebaOta.Tests.Support;

/// <summary>
/// The suite is socket- and process-heavy and runs in parallel on small CI machines: with the default minimum of one
/// pool thread per core, a few blocked threads delay socket continuations by hundreds of milliseconds, enough to trip
/// the short timeouts some tests use on purpose. Start with more threads.
/// </summary>
internal static class TestThreadPool
{
    [ModuleInitializer]
    internal static void Widen()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
