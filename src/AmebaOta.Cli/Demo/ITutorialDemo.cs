namespace AmebaOta.Cli.Demo;

/// <summary>One family's OTA tutorial on a virtual board (<c>ameba-ota demo --family …</c>).</summary>
public interface ITutorialDemo
{
    /// <summary>Runs every step; a step that goes otherwise than the tutorial says ends it with a <see cref="CliError"/>.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
