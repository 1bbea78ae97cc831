namespace AmebaOta.Cli.Output;

/// <summary>An <see cref="IProgress{T}"/> that calls back on the reporting thread, in order (unlike <see cref="Progress{T}"/>).</summary>
public sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
