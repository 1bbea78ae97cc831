namespace AmebaOta.Device.Sketches;

/// <summary>A program the virtual board runs after Image 2 starts: <c>setup()</c> and <c>loop()</c> of an example sketch.</summary>
public interface ISketch
{
    /// <summary>Runs until the sketch reboots the board or settles into idling. The token is cancelled on reset or shutdown.</summary>
    Task<SketchExit> RunAsync(SketchContext context, CancellationToken cancellationToken);
}
