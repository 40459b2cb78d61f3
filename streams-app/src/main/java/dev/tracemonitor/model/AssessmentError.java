package dev.tracemonitor.model;

/** Why a judge could not produce a verdict; carried in {@code feedback.error}. */
public record AssessmentError(String errorCode, String errorMessage) {
}
