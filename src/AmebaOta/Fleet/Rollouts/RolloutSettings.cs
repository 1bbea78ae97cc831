namespace AmebaOta.Fleet.Rollouts;

/// <summary>Everything a rollout needs to run, and to be resumed later exactly as it was started.</summary>
/// <param name="Stages">The <c>--stages</c> text.</param>
/// <param name="MaxFailures">The failure threshold.</param>
/// <param name="PauseBetween">Wait between two stages.</param>
/// <param name="Fleet">How each stage's uploads run.</param>
/// <param name="Force">Images the checks refuse were sent anyway.</param>
/// <param name="SkipCurrent">Boards already running this image (verified) are not resent.</param>
/// <param name="AllowDowngrade">Older sketch versions may be sent.</param>
public sealed record RolloutSettings(string Stages, FailureThreshold MaxFailures, TimeSpan PauseBetween, FleetOptions Fleet, bool Force, bool SkipCurrent, bool AllowDowngrade);
